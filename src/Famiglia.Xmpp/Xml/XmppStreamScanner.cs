using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Famiglia.Xmpp.Xml;

/// <summary>
/// Splits an XMPP TCP byte stream into frames without ever waiting for bytes that have not arrived.
/// </summary>
/// <remarks>
/// An <see cref="XmlReader"/> over a network stream blocks inside Read() until it has the next token
/// and cannot be restarted after STARTTLS or SASL (dotnet/runtime#1029). Instead this scanner only
/// finds element boundaries (tags, quoted attribute values, CDATA), which it can do on partial input
/// and across UTF-8 sequences split between reads, because every delimiter it looks at is ASCII.
/// Each complete top-level element is then parsed straight from the bytes, in the stream's namespace
/// context, by <see cref="StanzaParser"/> (the stream header by the framework's XML reader).
/// </remarks>
internal sealed class XmppStreamScanner
{
    private enum Lex
    {
        Text,
        TagOpen,
        StartTag,
        StartTagQuoted,
        EndTag,
        ProcessingInstruction,
        MarkupDeclaration,
        CData,
    }

    private static readonly byte[] CDataOpen = "<![CDATA["u8.ToArray();

    private readonly int _maxElementBytes;
    private readonly StanzaParser _parser = new();
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;     // bytes in _buffer
    private int _scan;       // next byte to scan
    private int _tagStart;   // offset of the '<' of the tag being scanned
    private int _elementStart = -1;
    private int _depth;      // 0 before the stream header, 1 inside the stream, 2+ inside a stanza
    private Lex _lex = Lex.Text;
    private byte _quote;
    private byte _previous;

    public XmppStreamScanner(int maxElementBytes) => _maxElementBytes = maxElementBytes;

    /// <summary>The stream's default namespace, from the header (jabber:client for clients).</summary>
    public string DefaultNamespace { get; private set; } = "jabber:client";

    /// <summary>Forgets everything, for a stream restart after STARTTLS or SASL success.</summary>
    public void Reset()
    {
        _length = 0;
        _scan = 0;
        _elementStart = -1;
        _depth = 0;
        _lex = Lex.Text;
        _previous = 0;
    }

    /// <summary>Adds bytes and returns every frame they complete.</summary>
    /// <exception cref="XmppProtocolException">The bytes are not a well-formed XMPP stream.</exception>
    public void Feed(ReadOnlySpan<byte> bytes, List<XmppFrame> frames)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;

        while (_scan < _length)
        {
            var b = _buffer[_scan];
            switch (_lex)
            {
                case Lex.Text:
                    if (b == (byte)'<')
                    {
                        _tagStart = _scan;
                        _lex = Lex.TagOpen;
                    }
                    else if (_depth <= 1 && !IsWhitespace(b))
                    {
                        throw new XmppProtocolException($"Unexpected text outside a stanza (byte 0x{b:x2}).");
                    }

                    break;
                case Lex.TagOpen:
                    if (b == (byte)'/')
                    {
                        _lex = Lex.EndTag;
                    }
                    else if (b == (byte)'?')
                    {
                        _lex = Lex.ProcessingInstruction;
                    }
                    else if (b == (byte)'!')
                    {
                        _lex = Lex.MarkupDeclaration;
                    }
                    else
                    {
                        if (_depth == 1)
                        {
                            _elementStart = _tagStart;
                        }

                        _lex = Lex.StartTag;
                    }

                    break;
                case Lex.StartTag:
                    if (b is (byte)'"' or (byte)'\'')
                    {
                        _quote = b;
                        _lex = Lex.StartTagQuoted;
                    }
                    else if (b == (byte)'>')
                    {
                        OnStartTag(selfClosing: _previous == (byte)'/', frames);
                        _lex = Lex.Text;
                    }
                    else if (b == (byte)'<')
                    {
                        throw new XmppProtocolException("'<' inside a tag.");
                    }

                    break;
                case Lex.StartTagQuoted:
                    if (b == _quote)
                    {
                        _lex = Lex.StartTag;
                    }

                    break;
                case Lex.EndTag:
                    if (b == (byte)'>')
                    {
                        OnEndTag(frames);
                        _lex = Lex.Text;
                    }

                    break;
                case Lex.ProcessingInstruction:
                    if (b == (byte)'>' && _previous == (byte)'?')
                    {
                        if (_depth != 0)
                        {
                            throw new XmppProtocolException("Processing instructions are not allowed in an XMPP stream.");
                        }

                        _lex = Lex.Text;
                    }

                    break;
                case Lex.MarkupDeclaration:
                    // Only CDATA sections are allowed (RFC 6120 §11.1: no comments, no DTD).
                    var seen = _scan - _tagStart + 1;
                    if (_depth < 2 || b != CDataOpen[seen - 1])
                    {
                        throw new XmppProtocolException("Comments, DTDs and markup declarations are not allowed in an XMPP stream.");
                    }

                    if (seen == CDataOpen.Length)
                    {
                        _lex = Lex.CData;
                    }

                    break;
                case Lex.CData:
                    if (b == (byte)'>' && _previous == (byte)']' && _scan >= 2 && _buffer[_scan - 2] == (byte)']')
                    {
                        _lex = Lex.Text;
                    }

                    break;
            }

            _previous = b;
            _scan++;
            if (_elementStart >= 0 && _scan - _elementStart > _maxElementBytes)
            {
                throw new XmppProtocolException($"A stanza is larger than {_maxElementBytes} bytes.");
            }
        }

        Compact();
    }

    private void OnStartTag(bool selfClosing, List<XmppFrame> frames)
    {
        if (_depth == 0)
        {
            frames.Add(new XmppFrame(XmppFrameKind.StreamOpen, ParseHeader(_tagStart, _scan + 1)));
            _depth = 1;
            return;
        }

        if (selfClosing)
        {
            if (_depth == 1)
            {
                EmitElement(frames);
            }

            return;
        }

        _depth++;
    }

    private void OnEndTag(List<XmppFrame> frames)
    {
        if (_depth == 1)
        {
            frames.Add(XmppFrame.Close);
            _depth = 0;
            return;
        }

        if (_depth == 0)
        {
            throw new XmppProtocolException("An end tag before the stream header.");
        }

        _depth--;
        if (_depth == 1)
        {
            EmitElement(frames);
        }
    }

    private void EmitElement(List<XmppFrame> frames)
    {
        var element = _parser.Parse(_buffer.AsSpan(_elementStart, _scan + 1 - _elementStart), DefaultNamespace);
        frames.Add(new XmppFrame(XmppFrameKind.Element, element));
        _elementStart = -1;
    }

    private XElement ParseHeader(int start, int end)
    {
        // "<stream:stream a='b' ...>" becomes a self-closing element the XML parser accepts.
        var tag = Encoding.UTF8.GetString(_buffer, start, end - start);
        var header = XmlFragments.Parse(tag[..^1] + "/>", defaultNamespace: null);
        if (header.Name != Ns.Stream + "stream")
        {
            throw new XmppProtocolException($"Expected a stream header, got <{header.Name.LocalName}>.");
        }

        DefaultNamespace = header.Attribute("xmlns")?.Value ?? "jabber:client";
        return header;
    }

    private void Compact()
    {
        var keepFrom = _elementStart >= 0 ? _elementStart : (_lex == Lex.Text ? _scan : _tagStart);
        if (keepFrom == 0)
        {
            return;
        }

        var keep = _length - keepFrom;
        Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, keep);
        _length = keep;
        _scan -= keepFrom;
        _tagStart -= keepFrom;
        if (_elementStart >= 0)
        {
            _elementStart -= keepFrom;
        }
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
