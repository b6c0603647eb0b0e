package smartag_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pulumi-smartag/pulumi-smartag/examples/basic-go/basic"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// The same outputs as examples/basic (TypeScript) on the bundled fixture.
var basicOutputs = map[string]any{
	"instance":         "sag-demo0001",
	"regionId":         "cn-shanghai",
	"totalOnlineCount": 8.0,
	"userStatistics": []any{
		map[string]any{"userName": "doctest", "onlineCount": 2.0},
		map[string]any{"userName": "alice@example.com", "onlineCount": 0.0},
		map[string]any{"userName": "bob.smith", "onlineCount": 5.0},
		map[string]any{"userName": "carol_01", "onlineCount": 1.0},
	},
}

func TestBasicExampleUpRefreshDestroy(t *testing.T) {
	// The example's own project (its config defaults and plugin path) and its own program.
	dir := filepath.Join(repoRoot, "examples", "basic-go")
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range project.Plugins.Providers {
		project.Plugins.Providers[i].Path = filepath.Join(dir, p.Path) // the stack runs elsewhere
	}
	stack := newStack(t, basic.Program, project,
		map[string]string{"smartag:region": "cn-shanghai", "smartag:endpoint": endpoint, "smartag:accessKey": accessKeyID},
		map[string]string{"smartag:secretKey": secretKey})

	up, err := stack.Up(testContext(t))
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	assertBasicOutputs(t, up.Outputs)
	if ids := up.Outputs["requestIds"].Value.([]any); len(ids) != 1 {
		t.Errorf("requestIds = %v, want one RequestId", ids)
	}
	assertNoSecretInState(t, stack)

	if _, err := stack.Refresh(testContext(t)); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	outputs, err := stack.Outputs(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	assertBasicOutputs(t, outputs)

	destroyed, err := stack.Destroy(testContext(t))
	if err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if got := (*destroyed.Summary.ResourceChanges)["delete"]; got != 1 {
		t.Errorf("destroy deleted %d resources, want 1 (the stack)", got)
	}
}

func assertBasicOutputs(t *testing.T, outputs auto.OutputMap) {
	t.Helper()
	for key, want := range basicOutputs {
		if got := outputs[key]; got.Secret || !reflect.DeepEqual(got.Value, want) {
			t.Errorf("output %s = %#v (secret %v), want %#v", key, got.Value, got.Secret, want)
		}
	}
}
