"""Django sources of tools and policy: authentication, permissions, model and command toolsets."""
