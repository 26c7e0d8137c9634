"""The digital-government registry: information systems and their security levels, digital
platforms, the LGSP's connections to national databases, and each unit's IOC with its build
timeline (`ProgrammeTimeline` + `Milestone`, the milestone registration other modules reuse).
"""
