// Command goinvoke calls the provider plugin the way the Pulumi engine does, for the bench
// (section 2 of docs/BENCHMARKS.md). The engine is Go: timing a warm Invoke from a grpc-js
// caller bills the plugin for grpc-js and google-protobuf on the calling side, which cost
// about as much CPU as a whole direct client call. This caller uses the engine's own stubs
// (pulumirpc) and grpc-go.
//
// It dials the plugin's port as the engine does (grpc.NewClient on 127.0.0.1, insecure,
// receive limit 400 MiB; the engine's tracing interceptors are left out: without a tracer
// they do nothing), calls Configure once, then times Invoke: args marshalled into a Struct,
// the call, and the answer unmarshalled into Go values, as the engine's provider.Invoke does
// around the call (it uses MarshalProperties/UnmarshalProperties over the same Struct).
//
// Two modes:
//
//	goinvoke -addr 127.0.0.1:PORT -config JSON -args JSON [-warmup 5] [-calls 100] [-empty]
//	    warm-up, then -calls invokes (and GetPluginInfo calls with -empty, in turn), and prints
//	    {"invokeMs":[...],"emptyMs":[...]} on stdout.
//	goinvoke -serve ...
//	    prints {"ready":true,"configureMs":N} after Configure, then per stdin line "invoke" or
//	    "info" makes one call and prints {"ms":N} or {"error":"..."}; exits at end of input.
//	    The bench uses this so its sides are called in turn, call by call.
//
// A -config or -args value that starts with "@" names a file holding the JSON (a 10,000-name
// list is too long for one command-line argument on Linux).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// maxRecv is the engine's receive limit (rpcutil.GrpcChannelOptions).
const maxRecv = 400 << 20

type caller struct {
	client  pulumirpc.ResourceProviderClient
	tok     string
	args    map[string]any
	timeout time.Duration
}

// invoke makes one Invoke and returns its wall time: marshal, call, unmarshal.
func (c *caller) invoke() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	t0 := time.Now()
	args, err := structpb.NewStruct(c.args)
	if err != nil {
		return 0, fmt.Errorf("marshalling args: %w", err)
	}
	res, err := c.client.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: c.tok, Args: args})
	if err != nil {
		return 0, err
	}
	ret := res.GetReturn().AsMap()
	elapsed := time.Since(t0)
	if f := res.GetFailures(); len(f) > 0 {
		reasons := make([]string, len(f))
		for i, x := range f {
			reasons[i] = x.GetProperty() + ": " + x.GetReason()
		}
		return 0, fmt.Errorf("invoke failed: %s", strings.Join(reasons, "; "))
	}
	if len(ret) == 0 {
		return 0, errors.New("invoke returned nothing")
	}
	return elapsed, nil
}

// info makes one GetPluginInfo, a round trip that does no work in the plugin.
func (c *caller) info() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	t0 := time.Now()
	_, err := c.client.GetPluginInfo(ctx, &emptypb.Empty{})
	return time.Since(t0), err
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// readJSON parses a flag's JSON object, inline or from "@file".
func readJSON(name, value string) (map[string]any, error) {
	data := []byte(value)
	if strings.HasPrefix(value, "@") {
		var err error
		if data, err = os.ReadFile(value[1:]); err != nil {
			return nil, fmt.Errorf("-%s: %w", name, err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("-%s: not a JSON object: %w", name, err)
	}
	return m, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "goinvoke: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "", "the plugin's address, 127.0.0.1:PORT (required)")
	configFlag := flag.String("config", "", "Configure args, a JSON object or @file (required)")
	tok := flag.String("tok", "smartag:index:getUserOnlineClientStatistics", "function token")
	argsFlag := flag.String("args", "", "Invoke args, a JSON object or @file (required)")
	warmup := flag.Int("warmup", 5, "calls of each kind before timing (batch mode)")
	calls := flag.Int("calls", 100, "timed calls of each kind (batch mode)")
	empty := flag.Bool("empty", false, "also time GetPluginInfo, in turn with Invoke (batch mode)")
	serve := flag.Bool("serve", false, "one call per stdin line (invoke|info) instead of a batch")
	timeout := flag.Duration("timeout", 2*time.Minute, "deadline of each call")
	flag.Parse()
	if *addr == "" || *configFlag == "" || *argsFlag == "" {
		flag.Usage()
		return errors.New("-addr, -config and -args are required")
	}
	config, err := readJSON("config", *configFlag)
	if err != nil {
		return err
	}
	args, err := readJSON("args", *argsFlag)
	if err != nil {
		return err
	}

	conn, err := grpc.NewClient(*addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecv)))
	if err != nil {
		return fmt.Errorf("dialling %s: %w", *addr, err)
	}
	defer conn.Close()
	c := &caller{
		client:  pulumirpc.NewResourceProviderClient(conn),
		tok:     *tok,
		args:    args,
		timeout: *timeout,
	}

	configArgs, err := structpb.NewStruct(config)
	if err != nil {
		return fmt.Errorf("-config: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	t0 := time.Now()
	_, err = c.client.Configure(ctx, &pulumirpc.ConfigureRequest{
		Args:          configArgs,
		AcceptSecrets: true,
	}, grpc.WaitForReady(true))
	configured := time.Since(t0)
	cancel()
	if err != nil {
		return fmt.Errorf("Configure: %w", err)
	}

	if *serve {
		return serveLines(c, configured)
	}
	return batch(c, *warmup, *calls, *empty)
}

// serveLines answers one stdin line with one call, so another process can interleave it
// with its own calls.
func serveLines(c *caller, configured time.Duration) error {
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(map[string]any{"ready": true, "configureMs": ms(configured)}); err != nil {
		return err
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var d time.Duration
		var err error
		switch op := strings.TrimSpace(in.Text()); op {
		case "invoke":
			d, err = c.invoke()
		case "info":
			d, err = c.info()
		default:
			err = fmt.Errorf("unknown command %q (want invoke or info)", op)
		}
		reply := map[string]any{"ms": ms(d)}
		if err != nil {
			reply = map[string]any{"error": err.Error()}
		}
		if err := out.Encode(reply); err != nil {
			return err
		}
	}
	return in.Err()
}

func batch(c *caller, warmup, calls int, empty bool) error {
	for i := 0; i < warmup; i++ {
		if _, err := c.invoke(); err != nil {
			return err
		}
		if empty {
			if _, err := c.info(); err != nil {
				return err
			}
		}
	}
	result := struct {
		InvokeMs []float64 `json:"invokeMs"`
		EmptyMs  []float64 `json:"emptyMs"`
	}{InvokeMs: make([]float64, 0, calls), EmptyMs: []float64{}}
	for i := 0; i < calls; i++ {
		d, err := c.invoke()
		if err != nil {
			return err
		}
		result.InvokeMs = append(result.InvokeMs, ms(d))
		if empty {
			d, err := c.info()
			if err != nil {
				return err
			}
			result.EmptyMs = append(result.EmptyMs, ms(d))
		}
	}
	return json.NewEncoder(os.Stdout).Encode(result)
}
