namespace Aegis.Sandbox;

/// <summary>The host refused to set up or control a sandbox.</summary>
public sealed class SandboxException : Exception
{
    public SandboxException()
    {
    }

    public SandboxException(string message) : base(message)
    {
    }

    public SandboxException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
