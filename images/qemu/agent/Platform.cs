// The agent is pid 1 of a Linux guest and nothing else.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
