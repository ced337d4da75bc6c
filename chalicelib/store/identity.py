"""Board users and every bearer credential (board tokens, agent API keys), stored only as hashes."""
from pynamodb.attributes import BooleanAttribute, MapAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


DIRECTORY = "board-users"  # the one partition of the by-directory index: instance admins list users by it


class BoardUsersByDirectory(GlobalSecondaryIndex):
    """Every board user, oldest first: the user list is a Query, not a table Scan."""

    class Meta:
        index_name = "by-directory"
        projection = AllProjection()

    directory = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class BoardUser(BaseModel):
    Meta = meta("board-users")

    id = UnicodeAttribute(hash_key=True)
    directory = UnicodeAttribute(default=DIRECTORY)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    is_instance_admin = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="active")  # active | deactivated (no token of it authenticates)
    # companyId -> list of permissions. Kept on the user item so authenticating a board token is two
    # GetItems (credential, user) rather than a query per request.
    memberships = MapAttribute(default=dict)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    by_directory = BoardUsersByDirectory()


class CredentialsByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Credential(BaseModel):
    """Keyed by the SHA-256 of the token: presenting a token is one GetItem, and no plaintext is kept."""

    Meta = meta("credentials")

    token_hash = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    kind = UnicodeAttribute()  # "board" | "agent"
    owner_id = UnicodeAttribute()  # board user id or agent id
    company_id = UnicodeAttribute(null=True)  # agents only
    name = UnicodeAttribute(null=True)
    scope = JSONAttribute(null=True)  # agent keys: upstream's key scope, e.g. {"kind": "standard"}
    created_at = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)

    by_owner = CredentialsByOwner()
