"""The roles claims Moodle and Canvas really send, per kind of user (LTI 1.3 launches).

Moodle 4.5 (mod/lti/locallib.php `lti_get_ims_role`, LTI 1.3 mapping): `Instructor` when the user
may manage the activity (`mod/lti:manage`), else `Learner`; a site admin (or `mod/lti:admin`)
loses `Learner` and gains the system and institution Administrator roles. The recorded student
launch (fixtures/moodle-4.5/lti/launch-id-token-decoded.json) carries `membership#Learner` only.

Canvas (lib/lti/substitutions_helper.rb `all_roles("lti1_3")` with
`LIS_V2_LTI_ADVANTAGE_ROLE_MAP`, and User#user_roles): the course enrollments' context roles plus
institution roles of the user in the root account (`user` always; `student`, `teacher` for TA
and designer enrollments too; `admin` for ANY account user, however limited; `fake_student` for
Student View), plus `siteadmin` for Site Admin account users; uniq and sorted.
"""

from __future__ import annotations

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
TA = LIS + "membership/Instructor#TeachingAssistant"
INST_ADMIN = LIS + "institution/person#Administrator"
INST_INSTRUCTOR = LIS + "institution/person#Instructor"
INST_STUDENT = LIS + "institution/person#Student"
SYS_ADMIN = LIS + "system/person#Administrator"
SYS_SYSADMIN = LIS + "system/person#SysAdmin"
SYS_USER = LIS + "system/person#User"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"

MOODLE_SITE_ADMIN = [INSTRUCTOR, SYS_ADMIN, INST_ADMIN]
MOODLE_TEACHER = [INSTRUCTOR]
MOODLE_STUDENT = [LEARNER]

CANVAS_SUB_ACCOUNT_ADMIN = sorted([INST_ADMIN, SYS_USER])  # launched from account navigation
CANVAS_SUB_ACCOUNT_ADMIN_AS_STUDENT = sorted([LEARNER, INST_STUDENT, INST_ADMIN, SYS_USER])
CANVAS_SITE_ADMIN = sorted([INST_ADMIN, SYS_SYSADMIN, SYS_USER])
CANVAS_TEACHER = sorted([INSTRUCTOR, INST_INSTRUCTOR, SYS_USER])
CANVAS_TA = sorted([TA, INSTRUCTOR, INST_INSTRUCTOR, SYS_USER])
CANVAS_STUDENT = sorted([LEARNER, INST_STUDENT, SYS_USER])
CANVAS_TEST_STUDENT = sorted([LEARNER, TEST_USER, INST_STUDENT, SYS_USER])
