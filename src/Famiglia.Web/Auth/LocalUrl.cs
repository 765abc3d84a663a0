namespace Famiglia.Web.Auth;

/// <summary>Open-redirect guard: the same test as MVC's <c>IUrlHelper.IsLocalUrl</c>.</summary>
internal static class LocalUrl
{
    /// <summary>The URL when it is local to this site (<c>/path</c> or <c>~/path</c>, not <c>//host</c> or <c>/\host</c>), else null.</summary>
    public static string? OrNull(string? url) => IsLocal(url) ? url : null;

    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Any(char.IsControl))
        {
            return false;
        }

        if (url[0] == '/')
        {
            // "/" alone, or "/x" where x is neither a second slash nor a backslash.
            return url.Length == 1 || (url[1] != '/' && url[1] != '\\');
        }

        if (url.Length > 1 && url[0] == '~' && url[1] == '/')
        {
            return url.Length == 2 || (url[2] != '/' && url[2] != '\\');
        }

        return false;
    }
}
