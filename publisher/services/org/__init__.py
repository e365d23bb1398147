"""Organisation admin: townships, villages, channels and staff accounts.

Township administrators manage their own township; the county administrator (an admin
without a township) manages every township and creates new ones.
"""

from publisher.services.org.common import FieldError
from publisher.services.org.places import (
    CHANNEL_PROFILES,
    VILLAGE_KINDS,
    clean_channel,
    clean_township,
    clean_village,
    delete_village,
    save_channel,
    save_township,
    save_village,
    township_for,
)
from publisher.services.org.users import (
    ROLES,
    clean_user,
    create_user,
    issue_token,
    reset_password,
    set_user_active,
    update_user,
)

__all__ = [
    "CHANNEL_PROFILES",
    "ROLES",
    "VILLAGE_KINDS",
    "FieldError",
    "clean_channel",
    "clean_township",
    "clean_user",
    "clean_village",
    "create_user",
    "delete_village",
    "issue_token",
    "reset_password",
    "save_channel",
    "save_township",
    "save_village",
    "set_user_active",
    "township_for",
    "update_user",
]
