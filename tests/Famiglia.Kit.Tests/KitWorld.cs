using System.Text.Json;
using Aegis.Core.Kits;
using Famiglia.TestKit;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Kit.Tests;

/// <summary>
/// A real famiglia-web (seeded demo, free loopback port) and the Famiglia kit written for it by
/// <c>famiglia-kit-hooks write-kit</c>, run through Aegis.Core's real <see cref="KitHooks"/> runner as aegisd runs it.
/// Shared by the collection because seeding is the expensive part; tests use agent names of their own.
/// </summary>
public sealed class KitWorld : IAsyncLifetime
{
    public const string XmppHost = "dev1.localhost";
    public const string XmppService = "ws://ejabberd:5280/ws";
    public const string ApiUrl = "http://famiglia-web:3000";
    public const string EchoCommand = "/opt/famiglia/templates/echo/echo-agent";
    public const string PhotoLibraryCommand = "/opt/famiglia/templates/photo-library/photo-library-agent";

    private TempDirectory? _directory;

    public FamigliaWebProcess Web { get; private set; } = null!;

    public TempDirectory Directory => _directory!;

    /// <summary>The hooks of the kit written for <see cref="Web"/>.</summary>
    public KitHooks Hooks { get; private set; } = null!;

    public string TokenFile => Path.Combine(Web.DataDirectory, "kit-token");

    public string Token => File.ReadAllText(TokenFile).Trim();

    public string FeldmansId { get; private set; } = "";

    public string PhotosRoomId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Web = await FamigliaWebProcess.StartSeededAsync();
        _directory = TempDirectory.Create("kit");
        Hooks = await WriteKitAsync("kit", Web.BaseAddress, TokenFile);
        await using var db = Db();
        FeldmansId = await db.Groups.Where(g => g.Slug == "feldmans").Select(g => g.Id).SingleAsync();
        PhotosRoomId = await db.Rooms.Where(r => r.GroupId == FeldmansId && r.Slug == "photos").Select(r => r.Id).SingleAsync();
    }

    /// <summary>Writes settings pointing at <paramref name="famigliaWeb"/> and a kit for them with <c>write-kit</c>.</summary>
    public async Task<KitHooks> WriteKitAsync(string name, Uri famigliaWeb, string tokenFile, string? xmppTls = null)
    {
        var settings = Directory.Combine($"{name}-settings.json");
        await File.WriteAllTextAsync(settings, Settings(famigliaWeb, tokenFile, xmppTls));
        var kit = Directory.Combine(name);
        var (exitCode, _, error) = await HookProgram.RunAsync(["write-kit", "--settings", settings, "--out", kit]);
        Assert.True(exitCode == 0, $"write-kit failed ({exitCode}): {error}");

        // Generous: the machine is shared and each hook is a fresh dotnet process. Not a timing claim.
        return new KitHooks(new KitHooksOptions { Executable = Path.Combine(kit, "hooks"), Timeout = TimeSpan.FromSeconds(60) });
    }

    /// <summary>Settings as the famiglia script would write them.</summary>
    public static string Settings(Uri famigliaWeb, string tokenFile, string? xmppTls = null)
    {
        var settings = new Dictionary<string, object>
        {
            ["xmppHost"] = XmppHost,
            ["xmppService"] = XmppService,
            ["apiUrl"] = ApiUrl,
            ["famigliaWebUrl"] = famigliaWeb.ToString(),
            ["kitTokenFile"] = tokenFile,
            ["templates"] = new Dictionary<string, string> { ["echo"] = EchoCommand, ["photo-library"] = PhotoLibraryCommand },
        };
        if (xmppTls is not null)
        {
            settings["xmppTls"] = xmppTls;
        }

        return JsonSerializer.Serialize(settings);
    }

    /// <summary>An agent app config in the feldmans' photos room.</summary>
    public Dictionary<string, string?> Config(string name, string slug, string? template = "photo-library") => new()
    {
        ["name"] = name,
        ["slug"] = slug,
        ["groupId"] = FeldmansId,
        ["groupSlug"] = "feldmans",
        ["roomId"] = PhotosRoomId,
        ["roomSlug"] = "photos",
        ["thread"] = "doc_0193a7c2e5f0",
        ["template"] = template,
    };

    /// <summary>famiglia-web's own SQLite database, for setup (an app id, a second group) and checks.</summary>
    public FamigliaDbContext Db() => new SqliteFamigliaDbContext(new DbContextOptionsBuilder<SqliteFamigliaDbContext>()
        .UseSqlite($"Data Source={Path.Combine(Web.DataDirectory, "famiglia.db")};Pooling=False")
        .Options);

    public HttpClient WebClient(string? token)
    {
        var client = new HttpClient { BaseAddress = Web.BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        _directory?.Dispose();
    }
}
