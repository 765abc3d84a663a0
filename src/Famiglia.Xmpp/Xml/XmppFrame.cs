using System.Xml.Linq;

namespace Famiglia.Xmpp.Xml;

/// <summary>What a transport read off the wire: the stream header, one top-level element, or the stream's end.</summary>
internal enum XmppFrameKind
{
    StreamOpen,
    Element,
    StreamClose,
}

/// <summary>One frame. <see cref="Element"/> holds the stream header's attributes for
/// <see cref="XmppFrameKind.StreamOpen"/> and the element for <see cref="XmppFrameKind.Element"/>.</summary>
internal readonly record struct XmppFrame(XmppFrameKind Kind, XElement? Element)
{
    public static XmppFrame Close { get; } = new(XmppFrameKind.StreamClose, null);
}
