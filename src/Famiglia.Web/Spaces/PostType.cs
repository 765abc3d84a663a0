namespace Famiglia.Web.Spaces;

/// <summary>What a feed post carries; the API spells it in lower case (<c>?type=image</c>).</summary>
public enum PostType
{
    Text,
    Image,
    Video,
    Link,
    File,
}
