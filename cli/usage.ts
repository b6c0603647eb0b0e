/** The --help text: kept apart from main.ts so it can be read (and reviewed) as a page. */

export const EXIT = {
  ok: 0,
  apiError: 1,
  usage: 2,
  limitViolated: 3,
  outputError: 4,
  interrupted: 130,
} as const;

export const USAGE = `Usage: smartag-stats --region REGION --sag ID --user NAME[,NAME...] [options]
       smartag-stats --region REGION --sag ID --all-users [options]
       smartag-stats instances --region REGION --sag ID[,ID...] [options]
       smartag-stats clients --region REGION --sag ID --user NAME [options]

Asks Alibaba Cloud Smart Access Gateway how many clients are online through SAG APP
instances, prints the counts, and optionally fails when they break a limit. Made for CI gates.

Commands (the first word; none means per account):
  (none)                Clients online per client account of one instance (API
                        DescribeUserOnlineClientStatistics): the accounts given with
                        --user / --users-file, or every account of the instance with
                        --all-users.
  instances             Clients online per instance, over all of its accounts, and their
                        total (API DescribeSagOnlineClientStatistics): no account list.
                          e.g. smartag-stats instances --sag sag-demo0001,sag-demo0002
  clients               The devices online for one account: client IP, and since when
                        (API DescribeUserOnlineClients).
                          e.g. smartag-stats clients --sag sag-demo0001 --user bob.smith

What to query:
  --region REGION       Region of the instance. Default: $ALIBABA_CLOUD_REGION, then
                        $ALICLOUD_REGION.
                          e.g. --region cn-shanghai
  --sag ID              The SAG APP instance. With instances: one or more, separated by
                        commas and/or with the flag repeated.
                          e.g. --sag sag-demo0001
  --user NAME[,NAME]    Client account(s): separate names with commas (no spaces) and/or
                        repeat the flag; space-separated names are not read as a list.
                        A name given twice is queried and shown once.
                          e.g. --user alice@example.com,bob.smith --user carol_01
  --users-file FILE     One name per line; blank lines and # comments are skipped;
                        "-" reads stdin. Combines with --user, in command-line order.
                          e.g. --users-file users.txt
  --all-users           Every client account of the instance, read from the API first
                        (it pages through them); not with --user or --users-file.
                          e.g. --all-users
  --max-names N         Stop with exit 2 past N names in all (repeats included),
                        1-10000000. Default: 200000.
                          e.g. --max-names 500000
  --max-input-bytes N   Stop with exit 2 past N bytes read from all --users-file
                        inputs, 1-1073741824. Default: 16777216 (16 MiB).
                          e.g. --max-input-bytes 67108864

Where and how to ask:
  --endpoint URL        API endpoint: https, or http on loopback (the local emulator).
                        Default: $SMARTAG_ENDPOINT, else https://smartag.REGION.aliyuncs.com
                          e.g. --endpoint http://127.0.0.1:8080
  --profile NAME        Credentials profile (Alibaba Cloud CLI config or credentials
                        file); wins over the AccessKey variables.
                        Default: $ALIBABA_CLOUD_PROFILE, then $ALICLOUD_PROFILE.
                          e.g. --profile ci-readonly
  --concurrency N       API requests in flight at once, 1-64. Default: 4.
                          e.g. --concurrency 2
  --timeout-ms N        Give up after N ms in total, retries included. Default: 60000.
                          e.g. --timeout-ms 20000

Limits (exit 3 when one is broken; the statistics are still printed):
  --max-online N        At most N clients online per account (with instances: per
                        instance; with clients: for the account), 0-999999999999999.
                          e.g. --max-online 3
  --max-total N         At most N clients online for all the listed accounts (with
                        instances: all the instances) together, 0-999999999999999.
                          e.g. --max-total 100
  --require-none-online Nobody may be online (e.g. before decommissioning an instance).
                          e.g. --require-none-online

Output (statistics on stdout; messages on stderr):
  --format FORMAT       table (default): USER / ONLINE columns and a TOTAL line
                        (instances: INSTANCE / ONLINE; clients: CLIENT IP / ONLINE TIME /
                        ONLINE SINCE). json: one document for jq: the result, named as
                        the Pulumi functions name it, plus "violations" when limits are
                        given. csv: header userName,onlineCount (instances:
                        smartAgId,onlineCount; clients: clientIp,onlineTime,onlineSince),
                        one row per entry, RFC 4180 quoting.
                          e.g. --format json | jq .totalOnlineCount
  --verbose, -v         The table shows the RequestIds; the endpoint and retries are
                        reported on stderr.
                          e.g. --verbose
  --quiet, -q           No progress on stderr; errors and limit violations still appear.
                          e.g. --quiet
  --help, -h            Show this help.
  --version             Show the version.

A progress counter (requests done / total) appears on stderr only when stderr is a terminal
and more than 50 names are queried. SMARTAG_PROGRESS=1 forces it on, =0 off.

Text from the server, file paths and names are printed with control characters escaped
(e.g. \\u001b), and no credential, STS token or request signature is ever printed.

Credentials are never taken from flags: they would show in \`ps\` and in shell history.
They come from the same chain as the Pulumi provider: $ALIBABA_CLOUD_ACCESS_KEY_ID and
$ALIBABA_CLOUD_ACCESS_KEY_SECRET (or $ALICLOUD_ACCESS_KEY and $ALICLOUD_SECRET_KEY), plus
$ALIBABA_CLOUD_SECURITY_TOKEN for STS keys; else --profile / $ALIBABA_CLOUD_PROFILE /
$ALICLOUD_PROFILE; else the default chain of @alicloud/credentials (CLI profile, credentials
file, OIDC, ECS RAM role).

Exit codes:
  0    success, within the limits
  1    the query failed: API error (the message has the API code, RequestId and a hint),
       network error, timeout, or no credentials found
  2    usage or input error (bad flag, bad name, unreadable file); every problem is listed,
       and nothing is sent
  3    a limit was broken: violations on stderr, statistics still on stdout
  4    the query succeeded but stdout could not be written (e.g. a full disk); when
       stdout fails after an error or a broken limit, that code (1, 2 or 3) stands
  130  interrupted (Ctrl-C)

Examples:
  smartag-stats --region cn-shanghai --sag sag-demo0001 --user doctest,bob.smith
  smartag-stats --sag sag-demo0001 --users-file users.txt --max-online 3 --format json
  grep -v '^test' users.txt | smartag-stats --sag sag-demo0001 --users-file - --format csv
  # CI gate: the step fails (exit 3) while anyone is still connected
  smartag-stats --sag sag-demo0001 --users-file users.txt --require-none-online --quiet
  # the same for every account, none listed: one request per instance
  smartag-stats instances --sag sag-demo0001 --require-none-online --quiet
  smartag-stats --sag sag-demo0001 --all-users --max-online 3 --format csv
  smartag-stats clients --sag sag-demo0001 --user bob.smith --format json
`;
