"""The Pulumi program: `pulumi up` runs this file; the tests run basic.main inline."""
from basic import main

main()
