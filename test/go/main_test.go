// Go programs under the real engine: the Automation API runs each program inline (Pulumi's own
// in-process language server; no Go language host is needed), the pinned CLI from .tools/bin
// drives a local file backend, and the engine starts our plugin from bin/ against the emulator.
package smartag_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	accessKeyID = "LTAI5tEmulatorKey01" // emulator/fixtures/default.json
	secretKey   = "emulator-secret-01"
	// A watchdog against hangs, never a judgement of speed.
	operationTimeout = 4 * time.Minute
)

var (
	repoRoot   string
	backendDir string
	homeDir    string
	endpoint   string
	pulumiCmd  auto.PulumiCommand
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return 0, err
	}
	repoRoot = root
	for _, need := range []string{"bin/pulumi-resource-smartag", "dist/provider/index.js", ".tools/bin/pulumi"} {
		if _, err := os.Stat(filepath.Join(root, need)); err != nil {
			return 0, fmt.Errorf("%s is missing: run `npm run build && npm run tools:pulumi` first", need)
		}
	}
	scratch, err := os.MkdirTemp("", "smartag-go-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(scratch)
	backendDir, homeDir = filepath.Join(scratch, "state"), filepath.Join(scratch, "home")
	if err := isolateEnvironment(); err != nil {
		return 0, err
	}
	if pulumiCmd, err = auto.NewPulumiCommand(&auto.PulumiCommandOptions{
		Root: filepath.Join(root, ".tools"), SkipVersionCheck: true,
	}); err != nil {
		return 0, err
	}
	stop, err := startEmulator(root)
	if err != nil {
		return 0, err
	}
	defer stop()
	return m.Run(), nil
}

// isolateEnvironment keeps the developer's credentials and Pulumi settings out, keeps the
// credential chain away from the ECS metadata service, and puts the plugin and CLI on PATH.
func isolateEnvironment() error {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if regexp.MustCompile(`^(ALIBABA_CLOUD_|ALICLOUD_|SMARTAG_|PULUMI_)`).MatchString(name) {
			os.Unsetenv(name)
		}
	}
	for _, dir := range []string{backendDir, homeDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	env := map[string]string{
		"PATH": strings.Join([]string{filepath.Join(repoRoot, "bin"), filepath.Join(repoRoot, ".tools", "bin"), os.Getenv("PATH")},
			string(os.PathListSeparator)),
		"PULUMI_BACKEND_URL":                          "file://" + backendDir,
		"PULUMI_HOME":                                 homeDir,
		"PULUMI_CONFIG_PASSPHRASE":                    "go-test-passphrase",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED":         "true",
		"ALIBABA_CLOUD_CLI_PROFILE_DISABLED":          "true",
		"ALIBABA_CLOUD_CREDENTIALS_FILE":              "/nonexistent/pulumi-smartag-test-credentials",
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// startEmulator runs bin/smartag-emulator on a port the OS picks and reads its endpoint line.
func startEmulator(root string) (func(), error) {
	cmd := exec.Command(filepath.Join(root, "bin", "smartag-emulator"), "--port", "0")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	value, found := strings.CutPrefix(strings.TrimSpace(line), "SMARTAG_ENDPOINT=")
	if err != nil || !found {
		stop()
		return nil, fmt.Errorf("smartag-emulator did not print its endpoint (got %q): %v", line, err)
	}
	endpoint = value
	return stop, nil
}

// newStack makes a stack of its own for the test, running program inline. config holds
// plain values; secrets holds values set as secrets.
func newStack(t *testing.T, program pulumi.RunFunc, project *workspace.Project, config, secrets map[string]string) auto.Stack {
	t.Helper()
	ctx := testContext(t)
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	opts := []auto.LocalWorkspaceOption{auto.Pulumi(pulumiCmd), auto.WorkDir(t.TempDir()), auto.SecretsProvider("passphrase")}
	if project != nil {
		opts = append(opts, auto.Project(*project))
	}
	stack, err := auto.UpsertStackInlineSource(ctx, name, "smartag-go-test", program, opts...)
	if err != nil {
		t.Fatalf("creating stack %s: %v", name, err)
	}
	values := auto.ConfigMap{}
	for k, v := range config {
		values[k] = auto.ConfigValue{Value: v}
	}
	for k, v := range secrets {
		values[k] = auto.ConfigValue{Value: v, Secret: true}
	}
	if err := stack.SetAllConfig(ctx, values); err != nil {
		t.Fatalf("setting config: %v", err)
	}
	return stack
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), operationTimeout)
	t.Cleanup(cancel)
	return ctx
}

// exportState is `pulumi stack export` as a user runs it: auto's Export adds --show-secrets.
func exportState(t *testing.T, stack auto.Stack) string {
	t.Helper()
	stdout, stderr, _, err := pulumiCmd.Run(testContext(t), stack.Workspace().WorkDir(), nil, nil, nil, nil,
		"stack", "export", "--stack", stack.Name())
	if err != nil {
		t.Fatalf("stack export: %v\n%s", err, stderr)
	}
	return stdout
}

// assertNoSecretInState fails when the AccessKey secret appears in `stack export`, or in any file
// of the backend or of PULUMI_HOME.
func assertNoSecretInState(t *testing.T, stack auto.Stack) {
	t.Helper()
	exported := exportState(t, stack)
	if strings.Contains(exported, secretKey) {
		t.Errorf("stack export shows the AccessKey secret")
	}
	if !strings.Contains(exported, `"secrets_providers"`) {
		t.Errorf("stack export has no secrets provider: %s", exported)
	}
	for _, dir := range []string{backendDir, homeDir} { // state, logs and caches
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil && strings.Contains(string(data), secretKey) {
				t.Errorf("%s holds the AccessKey secret", path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// upFails runs `up`, expects it to fail, and returns everything the user would see.
func upFails(t *testing.T, stack auto.Stack) string {
	t.Helper()
	_, err := stack.Up(testContext(t))
	if err == nil {
		t.Fatal("up succeeded; it should have failed")
	}
	return err.Error()
}
