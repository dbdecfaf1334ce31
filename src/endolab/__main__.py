"""``python -m endolab``: the same command line as the ``endolab`` console script."""

from endolab.cli import main

if __name__ == "__main__":
    main()
