using System.Net.Http.Headers;
using Famiglia.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Aegis.Daemon.Tests;

/// <summary>A real aegisd on Kestrel (loopback, free port) with its own data dir and the real bwrap backend.</summary>
public sealed class AegisDaemonFactory : WebApplicationFactory<Program>
{
    public AegisDaemonFactory(string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("aegisd-test-").FullName;
        UseKestrel(0);
    }

    public string DataDirectory { get; }

    /// <summary>An HTTP client with the daemon's bearer token.</summary>
    public HttpClient CreateAuthorizedClient()
    {
        StartServer();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(DataDirectory, "token")).Trim());
        client.Timeout = TimeSpan.FromSeconds(60);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Aegis:DataDirectory", DataDirectory);
        builder.UseSetting("Urls", "http://127.0.0.1:0");

        // Short, so a failing health check shows within a test; every probe is to the sandbox's own address.
        builder.UseSetting("Aegis:HealthInterval", "00:00:00.250");
    }
}
