"""Employers: accounts with a unique, checked BIN, and hh.kz employers imported without one."""
