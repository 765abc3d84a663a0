namespace Famiglia.Web.Spaces;

public enum RoomVisibility
{
    PUBLIC,
    PARTICIPANTS_ONLY,
}
