using System.Text;
using BenchmarkDotNet.Attributes;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Bench;

/// <summary>The incremental stream scanner + per-stanza parse, on a realistic groupchat stream.</summary>
[MemoryDiagnoser]
public class ScannerBenchmarks
{
    private byte[] _stream = [];

    [Params(64, 4096)]
    public int ChunkBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = new StringBuilder("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
        for (var i = 0; i < 1000; i++)
        {
            builder.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<message from='photos.feldmans@conference.dev1.localhost/@u:alice@dev1.localhost' to='s-photo-agent@dev1.localhost/r' type='groupchat' id='{i}'><body>Found {i} photos &amp; building gallery… 🎉</body><thread>clx_document_crdt_key</thread><stanza-id xmlns='urn:xmpp:sid:0' by='photos.feldmans@conference.dev1.localhost' id='17{i}'/></message>");
        }

        _stream = Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>1000 groupchat stanzas per operation.</summary>
    [Benchmark]
    public int Scan1000Stanzas()
    {
        var scanner = new XmppStreamScanner(1024 * 1024);
        var frames = new List<XmppFrame>(1024);
        for (var i = 0; i < _stream.Length; i += ChunkBytes)
        {
            scanner.Feed(_stream.AsSpan(i, Math.Min(ChunkBytes, _stream.Length - i)), frames);
        }

        return frames.Count;
    }
}
