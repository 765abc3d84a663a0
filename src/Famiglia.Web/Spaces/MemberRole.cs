namespace Famiglia.Web.Spaces;

public enum MemberRole
{
    OWNER,
    ADMIN,
    MEMBER,
}
