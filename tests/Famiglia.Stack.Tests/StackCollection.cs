namespace Famiglia.Stack.Tests;

/// <summary>One stack for every test here: starting ejabberd, aegisd and famiglia-web is the expensive part.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<FamigliaStack>
{
    public const string Name = "stack";
}
