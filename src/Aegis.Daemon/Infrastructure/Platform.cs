// aegisd drives Linux namespaces, cgroups and Unix file modes: it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
