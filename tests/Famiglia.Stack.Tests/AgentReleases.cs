using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Famiglia.Stack.Tests;

/// <summary>Publishing an agent's own code to its app, as <c>aegis app publish</c> does (aegisd's API).</summary>
internal static class AgentReleases
{
    /// <summary>Publishes a release whose <c>index.js</c> is <paramref name="agent"/> (the kit's image runs
    /// <c>/agent/index.js</c> with node); returns the release id.</summary>
    public static async Task<string> PublishIndexJsAsync(HttpClient aegis, string appId, string agent)
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "index.js") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(agent)) });
        }

        return await PublishAsync(aegis, appId, archive);
    }

    /// <summary>Publishes the contents of <paramref name="directory"/> as <c>aegis app publish DIR</c> packs them (a
    /// gzipped tar of what is in it); returns the release id.</summary>
    public static async Task<string> PublishDirectoryAsync(HttpClient aegis, string appId, string directory)
    {
        using var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        {
            await TarFile.CreateFromDirectoryAsync(directory, gzip, includeBaseDirectory: false);
        }

        return await PublishAsync(aegis, appId, archive);
    }

    private static async Task<string> PublishAsync(HttpClient aegis, string appId, MemoryStream archive)
    {
        using var content = new ByteArrayContent(archive.ToArray()) { Headers = { ContentType = new("application/gzip") } };
        using var published = await aegis.PostAsync($"/v1/apps/{appId}/releases", content);
        var body = await published.Content.ReadAsStringAsync();
        Assert.True(published.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("releaseId").GetString()!;
    }
}
