"""Settings for the test suite: the production settings, served over plain HTTP in-process."""

import os
import tempfile

os.environ.setdefault("DIEUHANH_HTTPS", "0")
os.environ.setdefault("DIEUHANH_DATA_DIR", tempfile.mkdtemp(prefix="dieuhanh-test-"))
os.environ.setdefault("DIEUHANH_SECRET_KEY", "test-secret-key-not-for-production-0123456789")

from dieuhanh.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
