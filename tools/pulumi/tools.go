//go:build tools

// Package tools pins the Pulumi CLI and the Node.js language host that the
// end-to-end tests and the demo run. Nothing imports it; `go install` reads
// the versions from this module's go.mod.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
