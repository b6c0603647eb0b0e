// The Pulumi Go program of this project; the program itself lives in package basic, so that
// tests can run the same function inline through the Automation API.
package main

import (
	"github.com/pulumi-smartag/pulumi-smartag/examples/basic-go/basic"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(basic.Program)
}
