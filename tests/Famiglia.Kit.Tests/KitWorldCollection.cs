namespace Famiglia.Kit.Tests;

/// <summary>The test classes that share one <see cref="KitWorld"/>.</summary>
[CollectionDefinition(Name)]
public sealed class KitWorldCollection : ICollectionFixture<KitWorld>
{
    public const string Name = "kit world";
}
