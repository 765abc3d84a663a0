// The kit runs where aegisd runs: Linux (file modes, /bin/sh wrappers).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
