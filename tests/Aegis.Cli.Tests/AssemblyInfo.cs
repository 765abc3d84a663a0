// aegisd is Linux-only. Each test starts its own aegisd; they run one at a time because every aegisd on a
// host hands out sandbox subnets from the same 10.201.x range, and two daemons' instances would collide.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: CollectionBehavior(DisableTestParallelization = true)]
