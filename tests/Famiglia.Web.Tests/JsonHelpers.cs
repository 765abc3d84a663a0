using System.Net;
using System.Text.Json;

namespace Famiglia.Web.Tests;

internal static class JsonHelpers
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static int Total(this JsonElement page) => page.GetProperty("total").GetInt32();

    public static JsonElement.ArrayEnumerator Data(this JsonElement page) => page.GetProperty("data").EnumerateArray();

    public static int Count(this JsonElement page) => page.GetProperty("data").GetArrayLength();
}
