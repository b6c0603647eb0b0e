// The bench's stand-in for the Pulumi engine: a Go gRPC caller of the provider plugin
// (bench/goinvoke/main.go). Its own module so the TypeScript project needs no Go to build.
// Versions match tools/pulumi/go.mod (the pinned CLI build), so the module cache that build
// filled is enough to build this offline.
module github.com/pulumi-smartag/bench/goinvoke

go 1.26.6

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261026165753-2ffab32bce7e // indirect
)
