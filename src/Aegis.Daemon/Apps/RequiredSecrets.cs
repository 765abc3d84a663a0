using Aegis.Core.Kits;
using Aegis.Daemon.Infrastructure;

namespace Aegis.Daemon.Apps;

/// <summary>The secrets a kit requires of every app (<c>secrets.required</c> entries not marked <c>optional</c>): the
/// kit's hooks and the guest count on them, so an app without one could only fail at its boot. Checked when an app is
/// registered, when its secrets change, and before every boot (an app registered before its kit required a secret).</summary>
internal static class RequiredSecrets
{
    /// <summary>Refuses, with a 422 naming the first missing secret, when <paramref name="present"/> (the names the app
    /// has, with a value) lacks one of the kit's required secrets.</summary>
    public static void Check(string kit, KitManifest manifest, IEnumerable<string> present, string when)
    {
        var have = present.ToHashSet(StringComparer.Ordinal);
        var missing = manifest.Secrets.Required.Where(s => !s.Optional && !have.Contains(s.Name)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var errors = missing.Select(s => s.Description is null ? s.Name : $"{s.Name} ({s.Description})").ToList();
        throw new ApiProblem(StatusCodes.Status422UnprocessableEntity, "Required secrets missing",
            $"The {kit} kit requires {string.Join(", ", errors)} for every app (secrets.required); {when}. " +
            "Give them when registering the app, or set them with PUT /v1/apps/{appId}/secrets (aegis app secrets APPID --set NAME).",
            $"secrets.{missing[0].Name}", errors);
    }

    /// <summary>Whether the kit requires <paramref name="name"/> (a required secret cannot be removed, only replaced).</summary>
    public static bool Requires(KitManifest manifest, string name) =>
        manifest.Secrets.Required.Any(s => !s.Optional && s.Name == name);

    /// <summary>The names of <paramref name="secrets"/> that carry a value: an empty value is no secret.</summary>
    public static IEnumerable<string> WithValues(IReadOnlyDictionary<string, string>? secrets) =>
        (secrets ?? new Dictionary<string, string>()).Where(s => !string.IsNullOrEmpty(s.Value)).Select(s => s.Key);
}
