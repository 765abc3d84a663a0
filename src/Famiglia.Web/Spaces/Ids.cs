namespace Famiglia.Web.Spaces;

/// <summary>Row ids: time-ordered (UUIDv7), 32 lowercase hex digits, opaque to clients.</summary>
internal static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
