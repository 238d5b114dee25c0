"""The API's tokens: `POST /api/v1/auth/token/` exchanges a username and password for a personal API token;
`GET /api/v1/auth/tokens/` lists the caller's own tokens (the same list as the tokens page, /account/tokens/) and
`DELETE /api/v1/auth/tokens/<id>/` revokes one (`id`: the characters the token starts with, as the tokens page
shows; the stored hash is never shown). A token lives `expires_in_days`, at most the default lifetime
(settings.API_TOKEN_TTL), and a user holds at most settings.API_TOKEN_LIMIT_PER_USER live tokens."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Count, Max, Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from participants import services
from participants.models import ApiToken
from planpromo.api.conditional import ConditionalViewMixin
from planpromo.api.filters import QueryParametersFilter
from planpromo.api.schema import ErrorSerializer


def max_token_days() -> int:
    """The longest life a client may ask for: the default lifetime, else the service's bound."""
    ttl = settings.API_TOKEN_TTL
    return min(ttl.days, services.MAX_TOKEN_DAYS) if ttl else services.MAX_TOKEN_DAYS


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text='What the token is for ("weekly export").'
    )
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Days the token lives: 1 to the default lifetime (DJANGO_API_TOKEN_DAYS, 90 unless changed); "
        "without it, the default lifetime.",
    )

    def validate_expires_in_days(self, value):
        longest = max_token_days()
        if value > longest:
            raise serializers.ValidationError(f"At most {longest} days.")
        return value


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never the token itself (stored only as a hash), but the characters it starts with."""

    id = serializers.CharField(
        source="token_key", help_text="The token's first characters, which name it (DELETE /auth/tokens/<id>/)."
    )
    expired = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "expiry", "last_used", "expired"]
        read_only_fields = fields

    def get_expired(self, token) -> bool:
        return services.token_is_expired(token)


class TokenResponseSerializer(ApiTokenSerializer):
    """The new token: `token` is shown this once; send it as `Authorization: Token <token>`."""

    token = serializers.CharField(help_text="The token itself, shown only in this response.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class ObtainTokenView(APIView):
    """Exchange credentials for a token (shown once; stored hashed). Send it as `Authorization: Token <token>`."""

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer]
    filter_backends = [QueryParametersFilter]
    serializer_class = TokenRequestSerializer

    # Documented as JSON only (a form body is accepted too): with several request types for one body,
    # openapi-python-client 0.29 writes a module that cannot be imported (`Unset` is used and not imported).
    @extend_schema(
        request={"application/json": TokenRequestSerializer},
        responses={
            200: TokenResponseSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="The user already holds the most tokens allowed.",
                examples=[
                    OpenApiExample(
                        "Token limit",
                        value={
                            "detail": "You already have 10 tokens, the most one account may hold: revoke one you "
                            "no longer use."
                        },
                    )
                ],
            ),
        },
    )
    def post(self, request):
        QueryParametersFilter().filter_queryset(request, None, self)
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # authenticate() with the request, so that lock-out after repeated failures (django-axes) sees it.
        user = authenticate(
            request=request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response({"detail": "Unable to sign in with these credentials."}, status=status.HTTP_400_BAD_REQUEST)
        # Over the per-user limit, the service's TokenLimitReached is a 403 with its message.
        instance, token = services.api_token_create(
            user=user,
            name=serializer.validated_data.get("name") or "API",
            expires_in_days=serializer.validated_data.get("expires_in_days"),
            request=request,
        )
        instance.token = token
        return Response(TokenResponseSerializer(instance).data, status=status.HTTP_200_OK)


class ApiTokenViewSet(ConditionalViewMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens, newest first, expired ones included (`expired`); DELETE revokes one. The same
    list as the tokens page."""

    serializer_class = ApiTokenSerializer
    renderer_classes = [JSONRenderer]
    filter_backends = [QueryParametersFilter]
    pagination_class = None
    # Every role may revoke its own tokens (analysts too): the queryset holds only the caller's (HasRole).
    own_account = True
    lookup_field = "token_key"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-zA-Z]+"

    def get_queryset(self):
        return services.api_tokens_of(user=self.request.user)

    def conditional_parts(self, request):
        """The caller's tokens: created, revoked (the count), used, and expired since (planpromo.api.conditional)."""
        if self.action != "list":
            return None
        now = timezone.now()
        aggregate = (
            self.get_queryset()
            .order_by()
            .aggregate(
                rows=Count("pk"),
                last_created=Max("created"),
                last_use=Max("last_used"),
                last_expiry=Max("expiry"),
                expired_count=Count("pk", filter=Q(expiry__lte=now)),
            )
        )
        return (request.user.pk, *aggregate.values()), None

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object(), user=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
