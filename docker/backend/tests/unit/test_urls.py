from papertrade.urls import redact


def test_password_is_hidden_and_the_rest_kept():
    assert redact("postgresql://trader:s3cret@db:5432/papertrade") == (
        "postgresql://trader:***@db:5432/papertrade"
    )
    assert redact("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"


def test_url_without_password_is_unchanged():
    assert redact("redis://cache:6379/0") == "redis://cache:6379/0"
