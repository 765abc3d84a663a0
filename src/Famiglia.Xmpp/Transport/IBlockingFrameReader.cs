using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Transport;

/// <summary>A transport whose established stream can be read with blocking reads on a thread of its own
/// (see XmppSession.cs: a read that waits for the network then costs no thread-pool work item).</summary>
internal interface IBlockingFrameReader
{
    /// <summary>Reads the next frame, blocking the calling thread; throws <see cref="IOException"/> when the peer
    /// goes away or <see cref="AbortRead"/> was called.</summary>
    XmppFrame Read();

    /// <summary>Makes a blocked <see cref="Read"/> return (with an exception), from any thread.</summary>
    void AbortRead();
}
