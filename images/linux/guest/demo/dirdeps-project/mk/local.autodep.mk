# Each directory is built on its own (make level 0), where meta.autodep.mk
# does not export the .meta files it made: hand them to gendirdeps.
GENDIRDEPS_ENV += META_FILES='${META_FILES}'
