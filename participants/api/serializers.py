from rest_framework import serializers

from participants.models import Department, ProvincialOffice


class DepartmentSerializer(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "name", "name_zh", "kind", "aliases"]

    def get_aliases(self, department) -> list[str]:
        return [alias.spelling for alias in department.aliases.all()]


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class ProvincialOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProvincialOffice
        fields = ["id", "short_name", "name", "region", "kind", "code", "name_zh"]


class ProvincialOfficeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProvincialOffice
        fields = ["id", "short_name"]
