using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>What templates/react-dashboard's canvas must serve, checked over HTTP against the harness's canvas server,
/// and what the Agent Data API says it should show.</summary>
internal static partial class ReactDashboardCanvas
{
    /// <summary>The Data API's numbers now, read with the agent's key: the group's members (display names, sorted) and
    /// how many posts the feed, messages the room's chat and documents the room has.</summary>
    public static async Task<DataApiTruth> ReadDataApiAsync(Uri web, AgentIdentity agent)
    {
        using var api = new HttpClient { BaseAddress = web };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agent.ApiKey);
        using var group = JsonDocument.Parse(await api.GetStringAsync("/api/agent/group"));
        using var feed = JsonDocument.Parse(await api.GetStringAsync("/api/agent/feed?limit=1"));
        using var chat = JsonDocument.Parse(await api.GetStringAsync("/api/agent/chat/history?limit=1"));
        using var documents = JsonDocument.Parse(await api.GetStringAsync($"/api/agent/documents?roomId={agent.Environment["FAMIGLIA_ROOM_ID"]}&limit=1"));
        return new DataApiTruth(
            [.. group.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("displayName").GetString()!).Order()],
            Total(feed), Total(chat), Total(documents));
    }

    /// <summary>The canvas's index.html loads the Vite build's bundle by a relative URL, and the canvas serves that
    /// bundle byte for byte as <paramref name="builtCanvas"/> (the template's <c>dist/canvas</c>) holds it.</summary>
    public static async Task AssertServesTheBuiltAppAsync(HttpClient canvas, string builtCanvas)
    {
        var html = await canvas.GetStringAsync("/index.html");
        var script = ModuleScript().Match(html);
        Assert.True(script.Success, $"no relative module script in the canvas's index.html:\n{html}");
        var path = script.Groups[1].Value[2..];
        using var bundle = await canvas.GetAsync("/" + path);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("text/javascript", bundle.Content.Headers.ContentType!.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(builtCanvas, path)), await bundle.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The canvas's dashboard.json shows what the Data API says.</summary>
    public static async Task<JsonDocument> AssertShowsAsync(HttpClient canvas, DataApiTruth truth)
    {
        using var response = await canvas.GetAsync("/dashboard.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var dashboard = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = dashboard.RootElement;
        Assert.Equal(truth.Members, root.GetProperty("group").GetProperty("members").EnumerateArray().Select(m => m.GetProperty("displayName").GetString()!).Order());
        Assert.Equal(truth.Posts, root.GetProperty("posts").GetProperty("total").GetInt32());
        Assert.Equal(234, root.GetProperty("posts").GetProperty("byType").GetProperty("image").GetInt32()); // the seed's photos
        Assert.Equal(truth.Messages, root.GetProperty("messages").GetProperty("total").GetInt32());
        Assert.Equal(Math.Min(8, truth.Messages), root.GetProperty("messages").GetProperty("recent").GetArrayLength());
        Assert.Equal(truth.Documents, root.GetProperty("documents").GetInt32());
        return dashboard;
    }

    public static async Task<long> VersionAsync(HttpClient canvas)
    {
        using var version = JsonDocument.Parse(await canvas.GetStringAsync("/_canvas/version"));
        return version.RootElement.GetProperty("version").GetInt64();
    }

    private static int Total(JsonDocument page) => page.RootElement.GetProperty("total").GetInt32();

    [GeneratedRegex("<script type=\"module\"[^>]* src=\"(\\./assets/[^\"]+\\.js)\"")]
    private static partial Regex ModuleScript();
}

/// <summary>The Data API's numbers a dashboard of the room should show.</summary>
internal sealed record DataApiTruth(IReadOnlyList<string> Members, int Posts, int Messages, int Documents)
{
    /// <summary>The agent's reply after a refresh.</summary>
    public string Reply => $"Dashboard refreshed: {Members.Count} members, {Posts} posts, {Messages} messages in #photos.";
}
