// Package basic reads how many clients are online through one SAG APP instance, per user, and
// exports them, like examples/basic does in TypeScript.
//
// The provider takes its region, endpoint and credentials from the stack configuration
// (`smartag:region`, `smartag:endpoint`, `smartag:accessKey`, `smartag:secretKey` set with
// --secret) or from the environment (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID, ...).
package basic

import (
	"github.com/pulumi-smartag/pulumi-smartag/sdk/go/smartag"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Program is the whole Pulumi program: pass it to pulumi.Run, or to the Automation API.
func Program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	var userNames []string
	cfg.RequireObject("userNames", &userNames)

	stats := smartag.LookupUserOnlineClientStatisticsOutput(ctx, smartag.LookupUserOnlineClientStatisticsOutputArgs{
		SmartAgId: pulumi.String(cfg.Require("smartAgId")),
		UserNames: pulumi.ToStringArray(userNames),
	})

	ctx.Export("regionId", stats.RegionId())
	ctx.Export("instance", stats.SmartAgId())
	ctx.Export("userStatistics", stats.UserStatistics())
	ctx.Export("totalOnlineCount", stats.TotalOnlineCount())
	ctx.Export("requestIds", stats.RequestIds())
	return nil
}
