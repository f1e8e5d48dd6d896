"""The demo generator at its tiny ``test`` scale: one county, two townships, small units."""

import base64
import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from tongzheng.accounts.models import AccountKind, User
from tongzheng.accounts.roles import BUILTIN_ROLES
from tongzheng.audit.models import AuditEvent
from tongzheng.core.crypto import blind_index, unseal
from tongzheng.core.demo import DEMO_PASSWORD, generate
from tongzheng.core.demo.codes import organisation_code_check
from tongzheng.core.models import Organisation, OrganisationKind
from tongzheng.core.validators import resident_id_problem
from tongzheng.staffing.models import Person, PersonStatus, QuotaLedgerEntry


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One generation shared by the module's tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report, logins = generate("test", seed=11)
        yield report, logins
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_it_generates_every_kind_of_organisation_and_personnel(demo_db):
    report, _ = demo_db
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert set(kinds) == set(OrganisationKind.values)
    assert report.counts["organisations"] == Organisation.objects.count()
    assert report.counts["personnel"] == Person.objects.count() > 100
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {"金堂县教育局", "金堂县卫生健康局", "中共金堂县委机构编制委员会办公室"} <= names
    statuses = Counter(Person.objects.values_list("status", flat=True))
    assert statuses[PersonStatus.SERVING] > statuses[PersonStatus.RETIRED] > 0


def test_id_numbers_are_valid_sealed_indexed_and_agree_with_gender_and_birth(demo_db):
    seen = set()
    for person in Person.objects.all():
        number = unseal(person.id_number_sealed)
        assert resident_id_problem(number) is None, number
        assert person.id_number_index == blind_index(number)
        assert person.gender == ("1" if int(number[16]) % 2 else "2")
        assert person.birth_date == datetime.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14])
        )
        assert 2 <= len(person.name) <= 3
        seen.add(number)
    assert len(seen) == Person.objects.count()


def test_unit_codes_are_valid_and_internal_departments_have_none(demo_db):
    entity = {"party_government": "1", "public_institution": "2", "mass_organisation": "3"}
    for organisation in Organisation.objects.select_related("division"):
        if organisation.kind == OrganisationKind.INTERNAL_DEPARTMENT:
            assert organisation.uscc is None
            continue
        code = organisation.uscc
        assert uscc.is_valid(code), code
        assert code[0] == "1" and code[1] == entity[organisation.kind]
        assert code[2:8] == organisation.division.code[:6]
        assert code[16] == organisation_code_check(code[8:16])


def test_paths_match_a_walk_of_the_tree(demo_db):
    organisations = list(Organisation.objects.select_related("division"))
    children = defaultdict(list)
    for organisation in organisations:
        children[organisation.parent_id].append(organisation.pk)
        assert organisation.division_path == organisation.division.path

    def walk(pk):
        found = {pk}
        for child in children[pk]:
            found |= walk(child)
        return found

    for organisation in organisations:
        expected_path = (
            organisation.parent.path if organisation.parent else ""
        ) + f"{organisation.pk}/"
        assert organisation.path == expected_path
        assert set(organisation.subtree().values_list("pk", flat=True)) == walk(organisation.pk)


def test_personnel_carry_their_organisations_division_path(demo_db):
    mismatched = Person.objects.exclude(division_path=F("organisation__division_path")).count()
    assert mismatched == 0
    assert not Person.objects.filter(
        organisation__kind=OrganisationKind.INTERNAL_DEPARTMENT
    ).exists()


def test_derived_quotas_match_the_ledger_and_most_units_are_within_them(demo_db):
    expected = Counter()
    for entry in QuotaLedgerEntry.objects.all():
        expected[(entry.organisation_id, entry.establishment_type_id)] += (
            entry.increase - entry.decrease
        )
    approved = {
        (row["organisation_id"], row["establishment_type_id"]): row["approved"]
        for row in QuotaLedgerEntry.objects.approved_totals()
    }
    assert approved == dict(expected)
    occupied = Counter(
        Person.objects.occupying().values_list("organisation_id", "establishment_type_id")
    )
    assert set(occupied) <= set(approved)
    over = {key for key, count in occupied.items() if count > approved[key]}
    assert 0 < len(over) < len(approved) * 0.2
    assert all(value > 0 for value in approved.values())


def test_a_user_for_every_builtin_role_with_a_confirmed_totp_device(demo_db):
    _, logins = demo_db
    government = Organisation.objects.get(name="金堂县人民政府")
    for definition in BUILTIN_ROLES:
        user = User.objects.get(roles__code=definition.code)
        assert user.kind == AccountKind.STAFF and user.organisation is not None
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if definition.code in ("system_admin", "security_admin", "audit_admin"):
            assert user.organisation == government
    staffing = User.objects.get(roles__code="staffing_clerk")
    assert staffing.organisation.name == "中共金堂县委机构编制委员会办公室"
    assert staffing.check_password(DEMO_PASSWORD)
    unit_hr = User.objects.get(roles__code="unit_hr")
    assert unit_hr.organisation.name == "金堂县教育局"
    assert len(logins) == len(BUILTIN_ROLES)
    assert all(login.otpauth_url.startswith("otpauth://totp/") for login in logins)


def test_the_generation_is_audited(demo_db):
    event = AuditEvent.objects.get(action="core.demo_generated")
    assert event.detail["scale"] == "test"
    assert event.detail["personnel"] == Person.objects.count()


def test_print_logins_and_a_second_load_refused(demo_db):
    out = StringIO()
    call_command("demo", "--print-logins", stdout=out)
    assert "sysadmin" in out.getvalue() and "otpauth://totp/" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "test", stdout=StringIO())


def test_a_demo_user_signs_in_with_the_password_and_a_code_from_the_printed_uri(demo_db, client):
    from urllib.parse import parse_qs, urlparse

    from django.urls import reverse
    from django_otp.oath import TOTP

    _, logins = demo_db
    login = next(login for login in logins if login.username == "staffing")
    response = client.post(
        reverse("accounts:login"), {"username": "staffing", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    secret = parse_qs(urlparse(login.otpauth_url).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    token = f"{TOTP(key).token():06d}"
    response = client.post(reverse("accounts:otp_verify"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] != reverse("accounts:otp_verify")
    assert client.get(response["Location"]).status_code == 200
    assert client.session.get("otp_device_id")  # django-otp marks the session verified


def test_generate_refuses_a_database_that_already_has_organisations(demo_db):
    from tongzheng.core.demo import DemoDataExists

    before = Person.objects.count()
    with pytest.raises(DemoDataExists):
        generate("test", seed=12)
    assert Person.objects.count() == before


def test_people_are_reproducible_from_the_seed_and_never_hold_the_plain_number():
    from tongzheng.core.demo.people import AreaPool, UnitPlan, make_people

    plan = UnitPlan(1, "510000/510100/510121/", "510121", ((3, 20),), 2, 2, 1, 2, 3, 0.5)
    areas = AreaPool(("510121", "510104"), ("500101",), ("510122",))
    keys = ("00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100")
    today = datetime.date(2026, 11, 28)
    first_rows, first_ids = make_people(5, [plan], areas, keys, today, "2026-11-28T00:00:00+00:00")
    second_rows, second_ids = make_people(5, [plan], areas, keys, today)
    assert first_ids == second_ids and len(first_ids) == 25
    assert [line.split("\t")[2] for line in first_rows] == [row[2] for row in second_rows]
    assert not any(number in line for number in first_ids for line in first_rows)
    assert all(resident_id_problem(number) is None for number in first_ids)


def test_leadership_posts_fit_their_ledger_and_every_unit_has_a_profile(demo_db):
    from tongzheng.staffing.models import PostLedgerEntry, UnitProfile

    approved = {
        (row["organisation_id"], row["post"]): row["approved"]
        for row in PostLedgerEntry.objects.approved_totals()
    }
    held = Counter(
        Person.objects.serving().exclude(post="none").values_list("organisation_id", "post")
    )
    assert held and all(count <= approved.get(key, 0) for key, count in held.items())
    profiles = {p.organisation_id: p for p in UnitProfile.objects.all()}
    assert set(Person.objects.values_list("organisation_id", flat=True)) <= set(profiles)
    school = Organisation.objects.get(name="金堂县中学")
    assert profiles[school.pk].funding_form == "full"
    # Exactly the units that hold establishment (the tree's root bodies hold none).
    assert set(profiles) == set(QuotaLedgerEntry.objects.values_list("organisation_id", flat=True))
