"""`POST /api/v1/auth/token/`: exchange a username and password for a personal API token."""

from django.contrib.auth import authenticate
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from participants.services import api_token_create


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class ObtainTokenView(APIView):
    """Exchange credentials for a token (shown once; stored hashed). Send it as `Authorization: Token <token>`."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = TokenRequestSerializer

    def post(self, request):
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
        instance, token = api_token_create(
            user=user, name=serializer.validated_data.get("name") or "API", request=request
        )
        return Response(
            TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data, status=status.HTTP_200_OK
        )
