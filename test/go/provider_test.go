package smartag_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi-smartag/pulumi-smartag/sdk/go/smartag"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// explicitProvider points a provider at the emulator from the stack's own keys; the stack has no
// smartag:* configuration, so nothing works through a default provider.
func explicitProvider(ctx *pulumi.Context) (*smartag.Provider, error) {
	cfg := config.New(ctx, "")
	return smartag.NewProvider(ctx, "explicit", &smartag.ProviderArgs{
		Region:    pulumi.String("cn-shanghai"),
		Endpoint:  pulumi.String(cfg.Require("endpoint")),
		AccessKey: pulumi.String(cfg.Require("accessKey")),
		SecretKey: cfg.RequireSecret("secretKey"),
	})
}

// newExplicitStack is newStack with the keys explicitProvider reads.
func newExplicitStack(t *testing.T, program pulumi.RunFunc) auto.Stack {
	t.Helper()
	return newStack(t, program, nil,
		map[string]string{"endpoint": endpoint, "accessKey": accessKeyID},
		map[string]string{"secretKey": secretKey})
}

// statisticsOf invokes the function through the explicit provider.
func statisticsOf(ctx *pulumi.Context, p *smartag.Provider, smartAgID pulumi.StringInput, names ...string) smartag.LookupUserOnlineClientStatisticsResultOutput {
	return smartag.LookupUserOnlineClientStatisticsOutput(ctx, smartag.LookupUserOnlineClientStatisticsOutputArgs{
		SmartAgId: smartAgID,
		UserNames: pulumi.ToStringArray(names),
	}, pulumi.Provider(p))
}

func TestManyNamesThroughAnExplicitProvider(t *testing.T) {
	names, want, total := bigInstance(t, 130)
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		stats := statisticsOf(ctx, p, pulumi.String("sag-big0001"), names...)
		ctx.Export("regionId", stats.RegionId())
		ctx.Export("userStatistics", stats.UserStatistics())
		ctx.Export("totalOnlineCount", stats.TotalOnlineCount())
		ctx.Export("requestIds", stats.RequestIds())
		recorded, err := smartag.NewUserOnlineClientStatistics(ctx, "recorded", &smartag.UserOnlineClientStatisticsArgs{
			SmartAgId:      pulumi.String("sag-big0001"),
			UserNames:      pulumi.ToStringArray(names),
			MaxTotalOnline: pulumi.Int(int(total)), // equal to the limit does not break it
		}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		ctx.Export("recordedStatistics", recorded.UserStatistics)
		ctx.Export("recordedTotal", recorded.TotalOnlineCount)
		secret := statisticsOf(ctx, p, pulumi.ToSecret(pulumi.String("sag-demo0001")).(pulumi.StringOutput), "bob.smith")
		ctx.Export("secretTotal", secret.TotalOnlineCount())
		return nil
	})
	up, err := stack.Up(testContext(t))
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if got := (*up.Summary.ResourceChanges)["create"]; got != 3 {
		t.Errorf("up created %d resources, want 3 (stack, provider, statistics)", got)
	}
	out := up.Outputs

	t.Run("counts every name, in request order, with one RequestId per batch of 50", func(t *testing.T) {
		for _, key := range []string{"userStatistics", "recordedStatistics"} {
			if !reflect.DeepEqual(out[key].Value, want) {
				t.Errorf("%s = %v, want %v", key, out[key].Value, want)
			}
		}
		for _, key := range []string{"totalOnlineCount", "recordedTotal"} {
			if out[key].Value != total {
				t.Errorf("%s = %v, want %v", key, out[key].Value, total)
			}
		}
		if ids := out["requestIds"].Value.([]any); len(ids) != 3 {
			t.Errorf("requestIds = %v, want 3", ids)
		}
		if out["regionId"].Value != "cn-shanghai" {
			t.Errorf("regionId = %v, want the provider's region", out["regionId"].Value)
		}
	})

	t.Run("a secret argument gives a secret result", func(t *testing.T) {
		if got := out["secretTotal"]; !got.Secret || got.Value != 5.0 {
			t.Errorf("secretTotal = %v (secret %v), want 5, secret", got.Value, got.Secret)
		}
		if strings.Contains(exportState(t, stack), "sag-demo0001") {
			t.Error("stack export shows the secret smartAgId")
		}
	})

	t.Run("no secret in the state", func(t *testing.T) { assertNoSecretInState(t, stack) })

	t.Run("refresh keeps the counts, destroy removes everything", func(t *testing.T) {
		refreshed, err := stack.Refresh(testContext(t))
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if got := (*refreshed.Summary.ResourceChanges)["update"]; got != 0 {
			t.Errorf("refresh updated %d resources, want 0", got)
		}
		outputs, err := stack.Outputs(testContext(t))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(outputs["recordedStatistics"].Value, want) {
			t.Errorf("recordedStatistics after refresh = %v", outputs["recordedStatistics"].Value)
		}
		destroyed, err := stack.Destroy(testContext(t))
		if err != nil {
			t.Fatalf("destroy: %v", err)
		}
		if got := (*destroyed.Summary.ResourceChanges)["delete"]; got != 3 {
			t.Errorf("destroy deleted %d resources, want 3", got)
		}
	})
}

func TestBadArgumentFailsNamingTheField(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		ctx.Export("total", statisticsOf(ctx, p, pulumi.String("sag-demo0001"), "doctest", "x").TotalOnlineCount())
		return nil
	})
	text := upFails(t, stack)
	if !strings.Contains(text, "must be at least 7 characters (userNames[1])") {
		t.Errorf("the error does not name userNames[1] and its rule:\n%s", text)
	}
	assertNoSecretInState(t, stack)
}

func TestAPIErrorKeepsItsCodeAndRequestID(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		ctx.Export("total", statisticsOf(ctx, p, pulumi.String("sag-unknown01"), "doctest").TotalOnlineCount())
		return nil
	})
	text := upFails(t, stack)
	for _, want := range []string{
		`SAG\.InstanceNoFound: The specified SAG instance does not exist\.`,
		`RequestId: [0-9A-F-]{36}`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("the error lacks %s:\n%s", want, text)
		}
	}
	assertNoSecretInState(t, stack)
}

func TestBrokenLimitNamesTheOffenders(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		_, err = smartag.NewUserOnlineClientStatistics(ctx, "gate", &smartag.UserOnlineClientStatisticsArgs{
			SmartAgId:        pulumi.String("sag-demo0001"),
			UserNames:        pulumi.ToStringArray([]string{"doctest", "alice@example.com", "bob.smith", "carol_01"}),
			MaxOnlinePerUser: pulumi.Int(1),
		}, pulumi.Provider(p))
		return err
	})
	text := upFails(t, stack)
	for _, want := range []string{"doctest: 2 online, limit 1 per user", "bob.smith: 5 online, limit 1 per user"} {
		if !strings.Contains(text, want) {
			t.Errorf("the error lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "carol_01: ") { // 1 online is at the limit, not over it
		t.Errorf("the error names carol_01, who is within the limit:\n%s", text)
	}
	assertNoSecretInState(t, stack)
}

// bigInstance returns the first n user names of sag-big0001 and their counts, from the fixture.
func bigInstance(t *testing.T, n int) ([]string, []any, float64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "emulator", "fixtures", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Users of other instances may be objects; sag-big0001's are plain counts.
	var fixture struct {
		Regions map[string]map[string]struct{ Users json.RawMessage }
	}
	var users map[string]float64
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fixture.Regions["cn-shanghai"]["sag-big0001"].Users, &users); err != nil {
		t.Fatal(err)
	}
	names, stats, total := []string{}, []any{}, 0.0
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("user%04d", i)
		count, known := users[name]
		if !known {
			t.Fatalf("the fixture has no %s in sag-big0001", name)
		}
		names = append(names, name)
		stats = append(stats, map[string]any{"userName": name, "onlineCount": count})
		total += count
	}
	return names, stats, total
}

func TestInstanceTotalsThroughAnExplicitProvider(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		online := smartag.GetSagOnlineClientStatisticsOutput(ctx, smartag.GetSagOnlineClientStatisticsOutputArgs{
			SmartAgIds: pulumi.ToStringArray([]string{"sag-big0001", "sag-demo0001", "sag-big0001"}),
		}, pulumi.Provider(p))
		ctx.Export("statistics", online.Statistics())
		ctx.Export("total", online.TotalOnlineCount())
		return nil
	})
	up, err := stack.Up(testContext(t))
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	// The default fixture: sag-big0001's users sum to 225, sag-demo0001's to 8.
	want := []any{
		map[string]any{"smartAgId": "sag-big0001", "onlineCount": 225.0},
		map[string]any{"smartAgId": "sag-demo0001", "onlineCount": 8.0},
		map[string]any{"smartAgId": "sag-big0001", "onlineCount": 225.0},
	}
	if got := up.Outputs["statistics"].Value; !reflect.DeepEqual(got, want) {
		t.Errorf("statistics = %v, want %v", got, want)
	}
	if got := up.Outputs["total"].Value; got != 233.0 {
		t.Errorf("total = %v, want 233 (a repeated id counts once)", got)
	}
	assertNoSecretInState(t, stack)
}

func TestUnknownInstanceFailsNamingIt(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		online := smartag.GetSagOnlineClientStatisticsOutput(ctx, smartag.GetSagOnlineClientStatisticsOutputArgs{
			SmartAgIds: pulumi.ToStringArray([]string{"sag-demo0001", "sag-nosuch01"}),
		}, pulumi.Provider(p))
		ctx.Export("total", online.TotalOnlineCount())
		return nil
	})
	text := upFails(t, stack)
	want := `InvalidId\.SMARTAG: The specified smart access gateway instance ID does not exist\. \(smartAgId sag-nosuch01\) \(RequestId: [0-9A-F-]{36}\)`
	if !regexp.MustCompile(want).MatchString(text) {
		t.Errorf("the error does not name the unknown id with its code and RequestId:\n%s", text)
	}
	assertNoSecretInState(t, stack)
}

func TestAccountsDevicesAndEveryAccountThroughAnExplicitProvider(t *testing.T) {
	t.Parallel()
	stack := newExplicitStack(t, func(ctx *pulumi.Context) error {
		p, err := explicitProvider(ctx)
		if err != nil {
			return err
		}
		accounts := smartag.GetClientUsersOutput(ctx, smartag.GetClientUsersOutputArgs{
			SmartAgId: pulumi.String("sag-acct0001"),
		}, pulumi.Provider(p))
		ctx.Export("users", accounts.Users())
		ctx.Export("totalCount", accounts.TotalCount())
		devices := smartag.GetUserOnlineClientsOutput(ctx, smartag.GetUserOnlineClientsOutputArgs{
			SmartAgId: pulumi.String("sag-acct0001"),
			UserName:  pulumi.String("erin.ops"),
		}, pulumi.Provider(p))
		ctx.Export("clients", devices.Clients())
		// No UserNames: every account of the instance is counted.
		everyone := smartag.LookupUserOnlineClientStatisticsOutput(ctx, smartag.LookupUserOnlineClientStatisticsOutputArgs{
			SmartAgId: pulumi.String("sag-acct0001"),
		}, pulumi.Provider(p))
		ctx.Export("everyoneTotal", everyone.TotalOnlineCount())
		return nil
	})
	up, err := stack.Up(testContext(t))
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	// The default fixture's sag-acct0001: erin.ops (2 devices), frank-ro (disabled), grace001 (3).
	users, _ := up.Outputs["users"].Value.([]any)
	if len(users) != 3 || up.Outputs["totalCount"].Value != 3.0 {
		t.Fatalf("users = %v, totalCount = %v, want 3 accounts", users, up.Outputs["totalCount"].Value)
	}
	wantErin := map[string]any{
		"userName": "erin.ops", "userMail": "erin@example.com", "clientIp": "10.10.0.2",
		"bandwidth": 2000.0, "accelerateBandwidth": 1000.0, "enabled": true, "isStaticIp": true,
	}
	if !reflect.DeepEqual(users[0], wantErin) {
		t.Errorf("users[0] = %v, want %v", users[0], wantErin)
	}
	if enabled := users[1].(map[string]any)["enabled"]; enabled != false {
		t.Errorf("frank-ro enabled = %v, want false", enabled)
	}
	wantClients := []any{
		map[string]any{"clientIp": "10.10.0.2", "onlineTime": 1559125519.0, "onlineSince": "2019-05-29T10:25:19.000Z"},
		map[string]any{"clientIp": "192.168.7.20", "onlineTime": 1559129000.0, "onlineSince": "2019-05-29T11:23:20.000Z"},
	}
	if got := up.Outputs["clients"].Value; !reflect.DeepEqual(got, wantClients) {
		t.Errorf("clients = %v, want %v", got, wantClients)
	}
	if got := up.Outputs["everyoneTotal"].Value; got != 5.0 {
		t.Errorf("everyoneTotal = %v, want 5", got)
	}
	assertNoSecretInState(t, stack)
}
