"""Reads how many clients are online through one SAG APP instance, per user, and exports them.

The provider takes its region, endpoint and credentials from the stack configuration
(`smartag:region`, `smartag:endpoint`, `smartag:accessKey`, `smartag:secretKey` set with
--secret) or from the environment (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID, ...).
"""
import pulumi
import pulumi_smartag as smartag


def main() -> None:
    config = pulumi.Config()
    stats = smartag.get_user_online_client_statistics_output(
        smart_ag_id=config.require("smartAgId"),
        user_names=config.require_object("userNames"),
    )
    # The same output names as examples/basic, so either program can feed the same consumers.
    pulumi.export("regionId", stats.region_id)
    pulumi.export("instance", stats.smart_ag_id)
    pulumi.export("userStatistics", stats.user_statistics)
    pulumi.export("totalOnlineCount", stats.total_online_count)
    pulumi.export("requestIds", stats.request_ids)
