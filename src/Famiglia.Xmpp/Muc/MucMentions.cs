namespace Famiglia.Xmpp;

/// <summary>Mentions in a room message's body: <c>@</c> followed by a name, as people write them in chat.</summary>
public static class MucMentions
{
    /// <summary>True when <paramref name="body"/> has <c>@</c> and one of <paramref name="names"/> (case-insensitive), not
    /// inside a longer word: "@Echo, please" and "hi @echo" mention Echo; "@Echoes", "@echo-two" and "me@echo.org" do not.</summary>
    public static bool Mentions(string body, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (name.Length == 0)
            {
                continue;
            }

            for (var at = body.IndexOf('@', StringComparison.Ordinal); at >= 0; at = body.IndexOf('@', at + 1))
            {
                if (at > 0 && IsWordCharacter(body[at - 1]))
                {
                    continue;
                }

                var end = at + 1 + name.Length;
                if (end <= body.Length
                    && string.Compare(body, at + 1, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                    && (end == body.Length || !(IsWordCharacter(body[end]) || body[end] == '-')))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || c == '_';
}
