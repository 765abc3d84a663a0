using System.Net;

namespace Aegis.Sandbox;

/// <summary>
/// A host service the sandbox may reach by name (a kit's <c>internal_hosts</c> entry): inside the sandbox
/// <paramref name="Name"/> resolves to an address of the backend's choosing where <paramref name="Port"/> is relayed
/// to <paramref name="Target"/> on the host. Only the declared ports of a name are relayed.
/// </summary>
/// <param name="Name">The host name the guest uses, e.g. <c>ejabberd</c>.</param>
/// <param name="Port">The port the guest connects to; relayed to <paramref name="Target"/>.</param>
/// <param name="Target">Where the host side connects, e.g. <c>127.0.0.1:5222</c>.</param>
public sealed record InternalHost(string Name, int Port, IPEndPoint Target);
