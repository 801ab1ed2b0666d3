"""Response shapes of the v1 API, named so the OpenAPI components read well."""

from rest_framework import serializers

from triage.rules import Level
from triage.rules.vocabulary import RECOMMENDATIONS


class CodeTitleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class SourcePassageSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Passage id: S01-S24 (seed passages) or G01-G06 (guideline summaries).")
    text = serializers.CharField()


class CatalogueRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    level = serializers.ChoiceField(choices=[level.code for level in Level])
    points = serializers.IntegerField()
    recommendations = serializers.ListField(child=serializers.ChoiceField(choices=list(RECOMMENDATIONS)))
    sources = SourcePassageSerializer(many=True)


class VocabulariesSerializer(serializers.Serializer):
    symptoms = CodeTitleSerializer(many=True)
    history = CodeTitleSerializer(many=True)
    locations = CodeTitleSerializer(many=True)


class RuleCatalogueSerializer(serializers.Serializer):
    ruleset_version = serializers.CharField()
    levels = serializers.ListField(child=serializers.CharField(), help_text="Levels, lowest first.")
    rules = CatalogueRuleSerializer(many=True)
    recommendations = CodeTitleSerializer(many=True)
    vocabularies = VocabulariesSerializer()
