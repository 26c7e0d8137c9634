"""What every app's HTML views share: sign-in with scoped 404/403, the signed-in user, and
refusals shown in the page's language with where they happened."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest
from django.utils.translation import get_language

from dieuhanh.accounts.models import User
from dieuhanh.core.errors import NotFound, PermissionDenied, Problem, UserError


def page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in required; a scoped look-up that fails answers 404, a refused right 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message_en) from exc
        except PermissionDenied as exc:
            raise Forbidden(exc.message_en) from exc

    return wrapper


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def page_language() -> str:
    """ "en" or "vi" (the default), as the page is rendered."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def say(item: UserError | Problem) -> str:
    """A refusal in the page's language, with where it happened."""
    text = item.message_en if page_language() == "en" else item.message_vi
    where = item.where() if isinstance(item, Problem) else ""
    return f"{where}: {text}" if where else text


def refuse(request: HttpRequest, exc: UserError) -> None:
    """Show a refusal and its first problems as messages; a refused right answers 403."""
    if isinstance(exc, PermissionDenied):
        raise Forbidden(exc.message_en) from exc
    messages.error(request, say(exc))
    for p in exc.problems[:20]:
        messages.error(request, say(p))
