namespace Famiglia.Xmpp;

/// <summary>The server ended the stream with a stream error (RFC 6120 §4.9).</summary>
public sealed class XmppStreamException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public XmppStreamException(string condition, string? text)
        : base(text is null ? $"Stream error: {condition}." : $"Stream error: {condition}: {text}")
    {
        Condition = condition;
    }

    /// <summary>The defined condition, e.g. <c>conflict</c> or <c>system-shutdown</c>.</summary>
    public string Condition { get; }
}
