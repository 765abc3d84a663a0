namespace Famiglia.Web.Tests;

/// <summary>One seeded famiglia-web for a test class (seeding 234 photos is the expensive part): groups feldmans
/// (demo) and rossis, with an exempt key for each.</summary>
public sealed class SeededSpace : IAsyncLifetime
{
    public FamigliaWebFactory Web { get; } = new();

    public string FeldmansKey { get; private set; } = "";

    public string RossisKey { get; private set; } = "";

    public HttpClient Feldmans { get; private set; } = null!;

    public HttpClient Rossis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Web.SeedAsync();
        FeldmansKey = await Web.IssueKeyAsync("feldmans", "photo-agent");
        RossisKey = await Web.IssueKeyAsync("rossis", "rossi-agent");
        Feldmans = Web.CreateAgentClient(FeldmansKey);
        Rossis = Web.CreateAgentClient(RossisKey);
    }

    public async Task DisposeAsync() => await Web.DisposeAsync();
}
