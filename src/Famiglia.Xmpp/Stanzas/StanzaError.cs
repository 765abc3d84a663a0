using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>A stanza error (RFC 6120 §8.3): its type (cancel, modify, auth, wait), defined condition and text.</summary>
public sealed record StanzaError(string Type, string Condition, string? Text)
{
    internal static StanzaError? FromStanza(XElement stanza)
    {
        if (stanza.Attribute("type")?.Value != "error")
        {
            return null;
        }

        var error = stanza.Element(Ns.Client + "error");
        if (error is null)
        {
            return new StanzaError("cancel", "undefined-condition", null);
        }

        var condition = error.Elements().FirstOrDefault(e => e.Name.Namespace == Ns.Stanzas && e.Name.LocalName != "text");
        var text = error.Element(Ns.Stanzas + "text")?.Value;
        return new StanzaError(error.Attribute("type")?.Value ?? "cancel", condition?.Name.LocalName ?? "undefined-condition", text);
    }

    internal static XElement ToElement(string type, string condition) =>
        new(Ns.Client + "error", new XAttribute("type", type), new XElement(Ns.Stanzas + condition));

    /// <inheritdoc />
    public override string ToString() => Text is null ? $"{Condition} ({Type})" : $"{Condition} ({Type}): {Text}";
}
