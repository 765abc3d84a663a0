using System.Net.Http.Headers;
using Famiglia.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Daemon.Tests;

/// <summary>A real aegisd on Kestrel (loopback, free port) with its own data dir and the real bwrap backend.</summary>
public sealed class AegisDaemonFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public AegisDaemonFactory(string? dataDirectory = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("aegisd-test-").FullName;
        _settings = settings ?? new Dictionary<string, string>();
        UseKestrel(0);
    }

    public string DataDirectory { get; }

    /// <summary>The daemon's wall clock; advance it to make instances idle.</summary>
    public ShiftedClock Clock { get; } = new();

    /// <summary>The daemon's root URL on loopback.</summary>
    public Uri BaseAddress
    {
        get
        {
            using var client = CreateClient();
            return client.BaseAddress!;
        }
    }

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
        builder.UseSetting("Aegis:Idle:CheckInterval", "00:00:00.100");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}
